import Avatar from '@mui/material/Avatar';
import { PALETTE, avatarLetter } from '../protocol/palette';

/** Letter avatar (§10.3): the upper-cased first character in white on the dark palette colour. */
export function LetterAvatar({ name, colourIndex, size = 40 }: { name: string; colourIndex: number; size?: number }) {
  return (
    <Avatar aria-hidden sx={{ bgcolor: PALETTE[colourIndex]?.dark ?? PALETTE[0].dark, color: '#fff', width: size, height: size, fontSize: size * 0.45 }}>
      {avatarLetter(name)}
    </Avatar>
  );
}

/**
 * A user's avatar image (§3.5) with the letter avatar as the fallback: MUI's Avatar shows its
 * children when the image fails to load (non-image response, 404, upstream error).
 */
export function UserAvatar({ name, colourIndex, src, size = 40 }: { name: string; colourIndex: number; src?: string; size?: number }) {
  if (!src) return <LetterAvatar name={name} colourIndex={colourIndex} size={size} />;
  return (
    <Avatar
      src={src} alt="" data-testid="avatar-image"
      slotProps={{ img: { referrerPolicy: 'no-referrer', loading: 'lazy' } }}
      sx={{ bgcolor: PALETTE[colourIndex]?.dark ?? PALETTE[0].dark, color: '#fff', width: size, height: size, fontSize: size * 0.45 }}
    >
      {avatarLetter(name)}
    </Avatar>
  );
}
