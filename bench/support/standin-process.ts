/**
 * The upstream stand-in in its own process for the throughput runs, so the
 * reference server, the stand-in and the load generator do not share one
 * event loop. Prints nothing; sends its base URL over IPC.
 */
import { UpstreamStandIn } from '../../test/node/support/upstream-standin.ts';

const standin = new UpstreamStandIn();
const base = await standin.start();
// It records every request for the server tests; here that would only grow the heap.
setInterval(() => (standin.requests.length = 0), 200);
process.send!({ base });
process.on('disconnect', () => process.exit(0));
