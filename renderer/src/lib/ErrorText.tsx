// A Result error shown inline: its message and its code, so a person can act and report.
import type { ErrorInfo } from '../../../shared/result';

export function ErrorText({ error, id }: { error: ErrorInfo | null; id?: string }) {
  if (!error) return null;
  return (
    <p className="vs-error" role="alert" id={id}>
      {error.message} <code className="vs-code">{error.code}</code>
    </p>
  );
}
