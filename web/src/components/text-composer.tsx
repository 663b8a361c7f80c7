import type { ReactNode, Ref } from 'react';

/**
 * A labelled text box for a reply or comment with its live count against TikTok's text limit
 * (code points, as `countChars` counts), sending on Ctrl/Cmd+Enter. The form around it owns the
 * text, the sending and the answer.
 */
export function TextComposer(p: {
  id: string;
  countId: string;
  label: ReactNode;
  value: string;
  onChange: (text: string) => void;
  onSend: () => void;
  limit: number;
  left: number;
  rows: number;
  textareaRef?: Ref<HTMLTextAreaElement>;
}) {
  return (
    <>
      <label htmlFor={p.id}>{p.label}</label>
      <textarea
        ref={p.textareaRef}
        id={p.id}
        value={p.value}
        rows={p.rows}
        onChange={(e) => p.onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            p.onSend();
          }
        }}
        aria-describedby={p.countId}
        aria-invalid={p.left < 0 || undefined}
      />
      <p id={p.countId} className={p.left < 0 ? 'count over' : 'count'} aria-live="polite">
        {p.left >= 0
          ? `${p.left} of ${p.limit} characters left`
          : `${-p.left} characters over the limit of ${p.limit}`}
      </p>
    </>
  );
}
