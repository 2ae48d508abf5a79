import { createHash } from 'node:crypto';

/**
 * A command id's key: the first 16 bytes of SHA-256 over its UTF-8 bytes, written as a uuid. The
 * database computes the same with `idem_command_key(text)` (the migration that introduced it); the
 * key is what identifies a command in `commands` (its primary key) and links each event to the
 * command that wrote it, so the id itself (about 70 characters over HTTP) is stored once.
 */
export function commandKeyOf(commandId: string): string {
  const hex = createHash('sha256').update(commandId, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** SQL for the key of a text parameter, e.g. `WHERE c.command_key = ${commandKeySql('$1')}`. */
export const commandKeySql = (param: string): string => `idem_command_key(${param}::text)`;
