/* `node -r ./bench/register.js bench/event-log/run.ts`: compiles .ts on require with @swc/core
 * (no build step, no ts-node). The hook itself lives in test/support/ts-register.js. */
require('../test/support/ts-register.js');
