// Field paths and zod's reasons as people read them: labels from the form, list items numbered from 1, plain words.
import { describe, expect, it } from 'vitest';
import { fieldLabel, plainFieldMessage } from './field-labels.ts';

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

describe('plain field messages', () => {
  it('says zod’s developer wording the way a form does', () => {
    expect(plainFieldMessage('Too small: expected string to have >=1 characters')).toBe('is required');
    expect(plainFieldMessage('Too small: expected string to have >=40 characters')).toBe('must be at least 40 characters');
    expect(plainFieldMessage('Too big: expected string to have <=139 characters')).toBe('must be at most 139 characters');
    expect(plainFieldMessage('Invalid input: expected string, received undefined')).toBe('is required');
    expect(plainFieldMessage('Invalid UUID')).toBe('is not one of the choices offered; pick it again from the list');
    expect(plainFieldMessage('Invalid email address')).toBe('must be an email address such as name@example.com');
  });

  it('passes messages already written for people unchanged', () => {
    expect(plainFieldMessage('must be at least 40 characters')).toBe('must be at least 40 characters');
    expect(plainFieldMessage('must be the 4–8 digit code you received')).toBe('must be the 4–8 digit code you received');
  });
});
