// The list of resource modules the sandbox registers, in order. Add a module here: one import, one entry.
import type { SandboxModule } from './framework.ts';
import { accountsModule } from './resources/accounts.ts';
import { brandsModule } from './resources/brands.ts';
import { campaignsModule } from './resources/campaigns.ts';
import { contentModule } from './resources/content.ts';
import { messagesModule } from './resources/messages.ts';
import { numbersModule } from './resources/numbers.ts';
import { eventsModule } from './resources/events.ts';
import { numberRegistrationModule } from './resources/number-registration.ts';
import { sendersModule } from './resources/senders.ts';
import { servicesModule } from './resources/services.ts';
import { resourceStatusModule } from './resources/resource-status.ts';
import { trusthubModule } from './resources/trusthub.ts';
import { usageModule } from './resources/usage.ts';

export const sandboxModules: SandboxModule[] = [
  accountsModule,
  numbersModule,
  servicesModule,
  messagesModule,
  usageModule,
  trusthubModule,
  brandsModule,
  campaignsModule,
  contentModule,
  sendersModule,
  resourceStatusModule,
  numberRegistrationModule,
  eventsModule,
];
