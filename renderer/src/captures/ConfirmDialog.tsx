// A modal confirmation on the native <dialog>: focus trapping and Escape come for free.
import { useEffect, useRef } from 'react';

interface Props {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="vs-dialog" aria-labelledby="vs-dialog-title" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="vs-dialog-title">{title}</h2>
      <p>{message}</p>
      <div className="vs-dialog-actions">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="vs-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
