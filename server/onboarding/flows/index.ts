// Every flow kind's table, keyed by kind.
import type { FlowKind } from '../../../shared/onboarding.ts';
import type { FlowDefinition } from '../flow-definition.ts';
import { a2pFlow } from './a2p.flow.ts';
import { subaccountFlow } from './subaccount.flow.ts';
import { templateFlow } from './template.flow.ts';
import { whatsappSenderFlow } from './whatsapp-sender.flow.ts';

export const flowDefinitions: Record<FlowKind, FlowDefinition> = {
  subaccount: subaccountFlow,
  a2p: a2pFlow,
  whatsapp_sender: whatsappSenderFlow,
  template: templateFlow,
};
