import { freePorts } from '../../scripts/freePorts';

/** Ports this test process has handed out already, so two servers of one test never get the same one. */
const handedOut: number[] = [];

/**
 * A free loopback port for a test server, below the kernel's ephemeral range (scripts/freePorts.ts).
 * A port that `listen(0)` gives out comes from that range, which outgoing connections draw from too:
 * between the pick and the server's start (npm start builds first), a client socket of another test
 * could take it ("address already in use", seen once in CI on the Temporal UI port).
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1, handedOut);
  handedOut.push(port!);
  return port!;
}
