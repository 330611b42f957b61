import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import { PALETTE } from '../protocol/palette';

/** The ten palette colours as a keyboard-usable radio group. */
export function ColourPicker({ value, onChange }: { value?: number; onChange: (i: number) => void }) {
  return (
    <Box role="radiogroup" aria-label="Colour" sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
      {PALETTE.map((c, i) => (
        <ButtonBase
          key={c.name}
          role="radio"
          aria-checked={value === i}
          aria-label={c.name}
          onClick={() => onChange(i)}
          sx={{
            width: 32, height: 32, borderRadius: '50%', bgcolor: c.dark,
            outline: value === i ? '3px solid' : 'none', outlineColor: 'text.primary', outlineOffset: 2,
          }}
        />
      ))}
    </Box>
  );
}
