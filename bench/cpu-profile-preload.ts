import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector';

/**
 * Preloaded into a service with NODE_OPTIONS=--require (node refuses --cpu-prof there): profiles
 * the whole process and writes a .cpuprofile into CPU_PROFILE_DIR when it exits. The in-thread
 * inspector session answers synchronously, so the profile is written inside the exit handler.
 */
const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
