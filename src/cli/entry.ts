/**
 * Everything `bin.js` runs once the process is set up: the command dispatcher and the process's
 * streams. One module so that the installed package can ship it bundled (`scripts/build.ts`:
 * a handful of files where the sources are ~200 modules).
 */
export { main } from "./main.ts";
export { drainOutput, ignoreClosedOutput, processIo } from "./io.ts";
