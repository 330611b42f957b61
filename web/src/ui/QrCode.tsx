import { useMemo } from 'react';
import encodeQR from '@paulmillr/qr';

const QUIET = 4; // the quiet zone QR readers need around the symbol, in modules

/** A QR code as one SVG path: no canvas, no image URL, nothing the page's CSP must allow. */
export function QrCode({ text, size = 176, label }: { text: string; size?: number; label: string }) {
  const { d, n } = useMemo(() => {
    const rows = encodeQR(text, 'raw', { ecc: 'medium', border: 0 });
    let path = '';
    rows.forEach((row, y) => row.forEach((dark, x) => { if (dark) path += `M${x + QUIET} ${y + QUIET}h1v1h-1z`; }));
    return { d: path, n: rows.length + 2 * QUIET };
  }, [text]);
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges" data-testid="safety-qr">
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
