// Thumbnails (PROTOCOL.md §10.6): 150 px wide JPEG at quality 0.7; videos are seeked to 1 s.

const WIDTH = 150;

function draw(source: CanvasImageSource, w: number, h: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = Math.max(1, Math.round((h / w) * WIDTH));
  canvas.getContext('2d')!.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.7);
}

export async function imageThumbnail(file: Blob): Promise<string | undefined> {
  try {
    const bmp = await createImageBitmap(file);
    const url = draw(bmp, bmp.width, bmp.height);
    bmp.close();
    return url;
  } catch {
    return undefined;
  }
}

export function videoThumbnail(file: Blob, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(file);
    const done = (v: string | undefined) => { clearTimeout(timer); URL.revokeObjectURL(url); video.removeAttribute('src'); resolve(v); };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    video.muted = true;
    video.preload = 'metadata';
    video.onloadedmetadata = () => { video.currentTime = Math.min(1, video.duration || 0); };
    video.onseeked = () => { try { done(draw(video, video.videoWidth, video.videoHeight)); } catch { done(undefined); } };
    video.onerror = () => done(undefined);
    video.src = url;
  });
}
