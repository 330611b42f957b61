import { useCallback, useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import { appStore } from '../store/AppStore';
import type { StoredMessage } from '../store/records';
import { MessageBubble } from './MessageBubble';
import { EditDialog } from './EditDialog';

/**
 * The conversation. A message counts as read once the top of its element is inside the viewport
 * (§10.4), observed with an IntersectionObserver; the list sticks to the bottom while at the bottom.
 */
export function MessageList({ peerId, conv, messages, readOnly }: { peerId: string; conv: string; messages: StoredMessage[]; readOnly?: boolean }) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [editing, setEditing] = useState<StoredMessage | null>(null);

  useEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  // The original client's per-peer scroll position key (§10.2): restored when reopening a chat.
  useEffect(() => {
    const el = scroller.current;
    const saved = Number(localStorage.getItem(`saved_scroll_top:${peerId}`));
    if (el && Number.isFinite(saved) && saved > 0 && saved < el.scrollHeight - el.clientHeight - 40) {
      el.scrollTop = saved;
      atBottom.current = false;
    }
  }, [peerId]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (document.visibilityState !== 'visible') return;
        const ids = entries.filter((e) => e.isIntersecting).map((e) => (e.target as HTMLElement).dataset.messageId!).filter(Boolean);
        if (ids.length) appStore.markRead(conv, ids);
      },
      // Only the top strip of each element matters: shrink the root to treat "top inside" as visible.
      { root: el, threshold: 0 },
    );
    el.querySelectorAll<HTMLElement>('[data-unread="true"]').forEach((n) => io.observe(n));
    return () => io.disconnect();
  }, [messages, conv]);

  useEffect(() => {
    const onVis = () => {
      appStore.visible = document.visibilityState === 'visible';
    };
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, []);

  const onEdit = useCallback((m: StoredMessage) => setEditing(m), []);
  const onDelete = useCallback((m: StoredMessage) => appStore.deleteMessage(peerId, m.messageId), [peerId]);
  const onRetry = useCallback((m: StoredMessage) => appStore.retry(peerId, m.messageId), [peerId]);

  return (
    <Box
      ref={scroller}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      data-testid="messages"
      onScroll={(e) => {
        const t = e.currentTarget;
        atBottom.current = t.scrollHeight - t.scrollTop - t.clientHeight < 40;
        if (!readOnly) try { localStorage.setItem(`saved_scroll_top:${peerId}`, String(Math.round(t.scrollTop))); } catch { /* storage full */ }
      }}
      sx={{ flex: 1, overflowY: 'auto', py: 1 }}
    >
      {messages.map((m) => (
        <div key={m.messageId} data-message-id={m.messageId} data-unread={m.unread ? 'true' : undefined}>
          <MessageBubble m={m} peerId={peerId} onEdit={onEdit} onDelete={onDelete} onRetry={onRetry} readOnly={readOnly} />
        </div>
      ))}
      {editing && (
        <EditDialog
          initial={editing.text ?? ''}
          onClose={() => setEditing(null)}
          onSave={(t) => { appStore.editMessage(peerId, editing.messageId, t); setEditing(null); }}
        />
      )}
    </Box>
  );
}
