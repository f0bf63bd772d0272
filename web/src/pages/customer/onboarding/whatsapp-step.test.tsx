// @vitest-environment jsdom
// The WhatsApp sender form: a click on "Register sender" straight after editing a field is never lost to the
// field's error appearing (and moving the button) between mousedown and mouseup.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '@testing-library/jest-dom/vitest';
import { WhatsappStep } from './WhatsappStep.tsx';

afterEach(cleanup);

describe('WhatsApp sender form', () => {
  it('does not show the display name error when focus leaves it for the submit button, so the click lands', () => {
    const onSubmit = vi.fn();
    render(<WhatsappStep onSubmit={onSubmit} initial={{ phoneNumber: '+14155550123', 'profile.name': 'Acme' }} />);
    const name = screen.getByLabelText(/^Display name/);
    const button = screen.getByRole('button', { name: 'Register sender' });
    fireEvent.change(name, { target: { value: '' } });
    // The browser focuses the button on mousedown: the blur's relatedTarget is the button.
    fireEvent.blur(name, { relatedTarget: button });
    expect(document.querySelector('.field-error')).toBeNull();
    fireEvent.click(button);
    // The click counted: the submit was attempted and the summary names the field to fix.
    expect(screen.getByRole('alert')).toHaveTextContent(/name/i);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('holds the error back while a click is under way on a button that takes no focus (Safari), and shows it after', async () => {
    const onSubmit = vi.fn();
    render(<WhatsappStep onSubmit={onSubmit} initial={{ phoneNumber: '+14155550123', 'profile.name': 'Acme' }} />);
    const name = screen.getByLabelText(/^Display name/);
    const button = screen.getByRole('button', { name: 'Register sender' });
    fireEvent.change(name, { target: { value: '' } });
    fireEvent.pointerDown(button);
    fireEvent.blur(name, { relatedTarget: null });
    expect(document.querySelector('.field-error')).toBeNull();
    fireEvent.pointerUp(button);
    fireEvent.click(button);
    expect(screen.getByRole('alert')).toHaveTextContent(/Display name/);
    await waitFor(() => expect(document.querySelector('.field-error')).not.toBeNull());
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('still shows the error when the person moves on to another field', async () => {
    const user = userEvent.setup();
    render(<WhatsappStep onSubmit={vi.fn()} initial={{ phoneNumber: '+14155550123' }} />);
    await user.click(screen.getByLabelText(/^Display name/));
    await user.tab();
    expect(document.querySelector('.field-error')).not.toBeNull();
  });

  it('submits the form with a single click once the fields are valid', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<WhatsappStep onSubmit={onSubmit} initial={{ phoneNumber: '+14155550123' }} />);
    await user.type(screen.getByLabelText(/^Display name/), 'Acme Widgets');
    await user.click(screen.getByRole('button', { name: 'Register sender' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({ phoneNumber: '+14155550123', profile: { name: 'Acme Widgets' } });
  });
});
