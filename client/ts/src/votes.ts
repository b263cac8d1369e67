// The vote bitmap an open offer carries after its fields, which the IDL cannot describe: bit i
// (byte i / 8, bit i % 8, least significant first) is set once the contributor of arrival index
// i has voted. It is sized at the offer's snapshot and released when voting ends.

/** Byte offset of the vote bitmap in an offer account: 8-byte discriminator + 655 bytes of fields. */
export const OFFER_VOTE_BITMAP_OFFSET = 663;

/** The vote bitmap of an offer account's raw data (empty once voting is over). */
export function voteBitmap(offerData: Uint8Array): Uint8Array {
  return offerData.length > OFFER_VOTE_BITMAP_OFFSET ? offerData.subarray(OFFER_VOTE_BITMAP_OFFSET) : new Uint8Array();
}

/** Whether the contributor of arrival `index` has voted, per `bitmap`. */
export function hasVoted(bitmap: Uint8Array, index: bigint): boolean {
  const byte = Number(index / 8n);
  return byte < bitmap.length && (bitmap[byte] & (1 << Number(index % 8n))) !== 0;
}

/** Votes recorded in `bitmap`. */
export function votesIn(bitmap: Uint8Array): number {
  let n = 0;
  for (let b of bitmap) {
    for (; b; b &= b - 1) n++;
  }
  return n;
}
