import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

/**
 * Asks before an action that locks someone out or kills a link. Inline, not a modal: focus moves
 * to it, and Cancel is the first button so a stray Enter does nothing harmful.
 */
export function Confirm({
  question,
  children,
  busy,
  onConfirm,
  onCancel,
}: {
  question: string;
  children?: ComponentChildren;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="confirm-question" tabIndex={-1} ref={ref}>
      <p id="confirm-question">{question}</p>
      {children}
      <div class="row">
        <button type="button" class="secondary" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="button" class="secondary danger" disabled={busy} onClick={onConfirm}>
          {t('admin.confirm')}
        </button>
      </div>
    </div>
  );
}
