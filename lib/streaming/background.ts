// What the relay and the statements consumer share: a loop started once and stopped by awaiting it,
// and a dedicated PostgreSQL connection whose errors surface at the next query (never as a crash).
import pg from 'pg';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function dedicatedClient(connectionString: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export abstract class BackgroundLoop {
  protected stopped = false;
  private loop: Promise<void> | null = null;

  /** Starts the loop (once). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Asks the loop to end and waits for it. */
  protected async halt(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  protected abstract run(): Promise<void>;
}
