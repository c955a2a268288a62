/** A message on its way through the broker: what PUB/HPUB carried, or what a layer above built. */
export interface Message {
  subject: string;
  reply: string | null;
  /** Length of the header block at the start of `data`; -1 when there are no headers. */
  headerSize: number;
  /** Headers then payload. For client publishes, a view valid only while it is delivered. */
  data: Buffer;
  /** Size tokens to echo instead of the computed sizes (see PubOp.sizeText); usually null. */
  sizeText: string | null;
}
