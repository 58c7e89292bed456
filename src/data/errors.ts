/**
 * The one error type users see. The CLI prints `message` as a single line without a stack trace,
 * so the message must carry everything: the file, the row and the column where known.
 */
export class GlassboxError extends Error {
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  readonly code: string;

  constructor(message: string, options: { code?: string; file?: string; row?: number; column?: string } = {}) {
    super(message);
    this.name = 'GlassboxError';
    this.code = options.code ?? 'invalid-input';
    this.file = options.file;
    this.row = options.row;
    this.column = options.column;
  }
}

/** Builds "file.csv: row 12, column "age": message" from whichever parts are known. */
export function locate(
  parts: { file?: string; row?: number; line?: number; column?: string },
  message: string,
): string {
  const where: string[] = [];
  if (parts.row !== undefined)
    where.push(parts.line !== undefined ? `row ${parts.row} (line ${parts.line})` : `row ${parts.row}`);
  if (parts.column !== undefined) where.push(`column "${parts.column}"`);
  const head = parts.file !== undefined ? `${parts.file}: ` : '';
  return where.length ? `${head}${where.join(', ')}: ${message}` : `${head}${message}`;
}
