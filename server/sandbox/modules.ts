// The list of resource modules the sandbox registers, in order. Add a module here: one import, one entry.
import type { SandboxModule } from './framework.ts';
import { accountsModule } from './resources/accounts.ts';

export const sandboxModules: SandboxModule[] = [
  accountsModule,
];
