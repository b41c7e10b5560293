/**
 * A start-up the operator can put right (a port or a data folder another process holds): the
 * launcher prints its message alone, naming what to change — a stack trace would only bury it.
 */
export class StartRefused extends Error {}

/**
 * Awaits a service's `start()`; "listen EADDRINUSE" becomes a StartRefused that names the
 * service, the address and the variable that moves it.
 */
export async function listeningOn<T>(service: string, portVariable: string, start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const listenError = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (listenError.code !== 'EADDRINUSE') throw error;
    throw new StartRefused(`${service} cannot listen on ${listenError.address}:${listenError.port}: another process has that port (a second npm start?); ${portVariable} picks another`);
  }
}
