// Field paths as people read them: labels from the form, list items numbered from 1.
import { describe, expect, it } from 'vitest';
import { fieldLabel } from './field-labels.ts';

describe('field labels', () => {
  it('names a field by the form’s label, a list item by its list and number, and never shows the raw path', () => {
    const labels = { legalName: 'Legal business name', 'campaign.optInKeywords': 'Opt-in keywords' };
    expect(fieldLabel('legalName', labels)).toBe('Legal business name');
    expect(fieldLabel('campaign.optInKeywords.1', labels)).toBe('Opt-in keywords (item 2)');
    expect(fieldLabel('profile')).toBe('Sender profile');
    expect(fieldLabel('code')).toBe('Verification code');
    expect(fieldLabel('contact.preferredLanguage')).toBe('Contact person: preferred language');
    expect(fieldLabel('somethingNew')).toBe('Something new');
    // Template variables are named by their placeholder, as the template form does.
    expect(fieldLabel('variables.1')).toBe('Sample for {{1}}');
    expect(fieldLabel('contentVariables.2')).toBe('Value for {{2}}');
  });
});
