/** Ctrl-C during an evaluation: the command exits 130 without a report (a partial report would mislead a gate). */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
}
