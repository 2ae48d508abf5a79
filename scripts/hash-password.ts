// `npm run admin:hash-password`: prints an ADMIN_PASSWORD_HASH for a password.
//   interactive:  asks twice, without echo
//   piped:        printf '%s' "$PASSWORD" | npm run --silent admin:hash-password
//   argument:     npm run --silent admin:hash-password -- 'the password'   (lands in shell history)
import { hashPassword } from '../lib/admin/password';

const MIN_LENGTH = 12;

function ask(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let answer = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          resolve(answer);
          return;
        }
        if (char === '\u0003') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    input.on('data', onData);
  });
}

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main() {
  let password: string;
  if (process.argv[2] !== undefined) password = process.argv[2];
  else if (process.stdin.isTTY) {
    password = await ask('Admin password: ');
    if ((await ask('Again: ')) !== password) throw new Error('the passwords differ');
  } else password = await readPiped();
  if (password.length < MIN_LENGTH) throw new Error(`use at least ${MIN_LENGTH} characters`);
  const hash = await hashPassword(password);
  process.stdout.write(`${hash}\n`);
  if (process.stdout.isTTY) process.stderr.write(`\nSet it as ADMIN_PASSWORD_HASH (it contains no $, so .env files and shells keep it as is).\n`);
}

main().catch((error: unknown) => {
  console.error(`admin:hash-password: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
