// Wire contract of WhatsApp message templates (Content API): create, new version, list.
import { z } from 'zod';

export const templateCategorySchema = z.enum(['UTILITY', 'MARKETING', 'AUTHENTICATION']);

const placeholders = (body: string) => [...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1]!);

/** Shared checks: WhatsApp wants placeholders numbered 1..n, each with a sample, and no sample without one. */
function checkVariables(v: { body: string; variables?: Record<string, string> }, ctx: z.RefinementCtx) {
  const used = [...new Set(placeholders(v.body))].map(Number).sort((a, b) => a - b);
  used.forEach((n, i) => {
    if (n !== i + 1) ctx.addIssue({ code: 'custom', path: ['body'], message: 'placeholders must be numbered {{1}}, {{2}}, … without gaps' });
  });
  const vars = v.variables ?? {};
  for (const n of used)
    if (!vars[String(n)]) ctx.addIssue({ code: 'custom', path: ['variables', String(n)], message: `give a sample value for {{${n}}}` });
  for (const k of Object.keys(vars))
    if (!used.includes(Number(k))) ctx.addIssue({ code: 'custom', path: ['variables', k], message: `{{${k}}} does not appear in the body` });
  // WhatsApp refuses a template that starts or ends with a placeholder.
  if (/^\s*\{\{\s*\d+\s*\}\}|\{\{\s*\d+\s*\}\}\s*$/.test(v.body))
    ctx.addIssue({ code: 'custom', path: ['body'], message: 'may not start or end with a placeholder' });
}

const templateFields = {
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a WhatsApp language code such as en or en_US'),
  category: templateCategorySchema,
  body: z.string().trim().min(1).max(1024, 'must be at most 1024 characters'),
  variables: z.record(z.string().regex(/^\d{1,2}$/), z.string().trim().min(1).max(200)).optional(),
};

export const templateCreateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lower-case letters, digits and underscores only'),
    ...templateFields,
  })
  .superRefine(checkVariables);
export type TemplateCreate = z.infer<typeof templateCreateSchema>;

/** PUT …/templates/:templateId: a new version under the same name. */
export const templateUpdateSchema = z.object(templateFields).superRefine(checkVariables);
export type TemplateUpdate = z.infer<typeof templateUpdateSchema>;

export const templateViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.number().int(),
  language: z.string(),
  category: templateCategorySchema,
  body: z.string(),
  variables: z.record(z.string(), z.string()),
  status: z.string(),
  rejectionReason: z.string().nullable(),
  contentSid: z.string().nullable(),
  flowId: z.uuid().nullable(),
  createdAt: z.string(),
});
export type TemplateView = z.infer<typeof templateViewSchema>;
export const templatesResponseSchema = z.object({ items: z.array(templateViewSchema) });
