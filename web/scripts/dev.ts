// `npm run dev`: the API server (tsx watch, port PORT or 3000) and Vite's dev server (port WEB_PORT or 5173,
// /api proxied to the API) side by side; Ctrl-C stops both, and either one exiting stops the other.
import { spawn, type ChildProcess } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const children: ChildProcess[] = [];
let stopping = false;

function run(script: string): ChildProcess {
  const child = spawn(npm, ['run', '-s', script], { stdio: 'inherit', env: process.env });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${script} exited with ${code}; stopping the other process`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

function stop(code = 0): void {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
run('dev:api');
run('dev:web');
console.log(`portal (Vite, hot reload): http://localhost:${process.env.WEB_PORT ?? 5173}  ·  API: http://localhost:${process.env.PORT ?? 3000}`);
