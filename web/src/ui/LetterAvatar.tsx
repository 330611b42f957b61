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
