// A Vitest reporter for `npm run test:slow`: one line per suite file with its wall time, then the total.
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SuiteDurationReporter implements Reporter {
  private readonly rows: { file: string; seconds: number; state: string }[] = [];

  onTestModuleEnd(module: TestModule): void {
    this.rows.push({
      file: path.relative(process.cwd(), module.moduleId),
      seconds: module.diagnostic().duration / 1000,
      state: module.state(),
    });
  }

  onTestRunEnd(): void {
    if (!this.rows.length) return;
    const width = Math.max(...this.rows.map((r) => r.file.length));
    const lines = this.rows.map((r) => `  ${r.file.padEnd(width)}  ${r.seconds.toFixed(1).padStart(6)} s  ${r.state}`);
    const total = this.rows.reduce((s, r) => s + r.seconds, 0);
    process.stdout.write(`\nslow suites:\n${lines.join('\n')}\n  ${'total'.padEnd(width)}  ${total.toFixed(1).padStart(6)} s\n`);
  }
}
