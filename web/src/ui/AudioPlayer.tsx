import { useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Slider from '@mui/material/Slider';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import PauseIcon from '@mui/icons-material/Pause';
import { useApp } from './useStore';

/**
 * A bot's audio track (§8.1): WebAudio with a gain (0.3 by default) and an analyser for the level
 * meter, plus a muted <audio> element that keeps Chromium pulling the remote stream.
 */
export function AudioPlayer({ peerId }: { peerId: string }) {
  const stream = useApp((s) => s.audio[peerId]);
  const [playing, setPlaying] = useState(false);
  const [volume, setVolume] = useState(0.3);
  const ctxRef = useRef<{ ctx: AudioContext; gain: GainNode; analyser: AnalyserNode } | null>(null);
  const audioEl = useRef<HTMLAudioElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!stream) return;
    if (audioEl.current) audioEl.current.srcObject = stream;
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(stream);
    const gain = ctx.createGain();
    gain.gain.value = 0.3;
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 256;
    src.connect(gain).connect(analyser).connect(ctx.destination);
    void ctx.suspend();
    ctxRef.current = { ctx, gain, analyser };
    let raf = 0;
    const data = new Uint8Array(analyser.frequencyBinCount);
    const draw = () => {
      raf = requestAnimationFrame(draw);
      const c = canvas.current?.getContext('2d');
      if (!c || !canvas.current) return;
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128) / 128);
      const w = canvas.current.width;
      const h = canvas.current.height;
      c.clearRect(0, 0, w, h);
      c.fillStyle = '#4caf50';
      c.fillRect(0, 0, w * Math.min(1, peak), h);
      canvas.current.dataset.level = peak.toFixed(3);
    };
    draw();
    return () => { cancelAnimationFrame(raf); void ctx.close(); ctxRef.current = null; };
  }, [stream]);

  const toggle = async () => {
    const c = ctxRef.current;
    if (!c) return;
    if (playing) await c.ctx.suspend();
    else { await c.ctx.resume(); void audioEl.current?.play().catch(() => {}); }
    setPlaying(!playing);
  };

  if (!stream) return <Box sx={{ fontSize: 14 }}>🎵 Audio ended</Box>;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 240 }} data-testid="audio-player">
      <audio ref={audioEl} muted autoPlay />
      <IconButton onClick={toggle} aria-label={playing ? 'Pause audio' : 'Play audio'} color="inherit">
        {playing ? <PauseIcon /> : <PlayArrowIcon />}
      </IconButton>
      <Slider
        size="small" min={0} max={1} step={0.01} value={volume} aria-label="Volume" sx={{ width: 80, color: 'inherit' }}
        onChange={(_e, v) => { const x = v as number; setVolume(x); if (ctxRef.current) ctxRef.current.gain.gain.value = x; }}
      />
      <canvas ref={canvas} width={80} height={10} aria-label="Audio level" role="img" style={{ border: '1px solid currentColor', borderRadius: 2 }} />
    </Box>
  );
}
