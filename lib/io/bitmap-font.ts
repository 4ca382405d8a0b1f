/**
 * A 5×7 pixel font for printable ASCII (32 ' ' … 126 '~'). Each glyph is 5 column bytes in hex,
 * left to right; bit r of a column byte is pixel row r, counted from the top.
 */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal distance between the starts of consecutive characters (one blank column between). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

const FIRST = 32;
const LAST = 126;

const GLYPHS_HEX = [
  '0000000000',
  '00005f0000',
  '0007000700',
  '147f147f14',
  '242a7f2a12',
  '2313086462',
  '3649552250',
  '0000070000', // space ! " # $ % & '
  '001c224100',
  '0041221c00',
  '2a1c7f1c2a',
  '08083e0808',
  '0050300000',
  '0808080808',
  '0060600000',
  '2010080402', // ( ) * + , - . /
  '3e5149453e',
  '00427f4000',
  '4261514946',
  '2141454b31',
  '1814127f10',
  '2745454539',
  '3c4a494930',
  '0171090503', // 0 1 2 3 4 5 6 7
  '3649494936',
  '064949291e',
  '0036360000',
  '0056360000',
  '0814224100',
  '1414141414',
  '0041221408',
  '0201510906', // 8 9 : ; < = > ?
  '324979413e',
  '7e1111117e',
  '7f49494936',
  '3e41414122',
  '7f4141221c',
  '7f49494941',
  '7f09090901',
  '3e4149497a', // @ A B C D E F G
  '7f0808087f',
  '00417f4100',
  '2040413f01',
  '7f08142241',
  '7f40404040',
  '7f020c027f',
  '7f0408107f',
  '3e4141413e', // H I J K L M N O
  '7f09090906',
  '3e4151215e',
  '7f09192946',
  '4649494931',
  '01017f0101',
  '3f4040403f',
  '1f2040201f',
  '3f4038403f', // P Q R S T U V W
  '6314081463',
  '0708700807',
  '6151494543',
  '007f414100',
  '0204081020',
  '0041417f00',
  '0402010204',
  '4040404040', // X Y Z [ \ ] ^ _
  '0001020400',
  '2054545478',
  '7f48444438',
  '3844444420',
  '384444487f',
  '3854545418',
  '087e090102',
  '085454543c', // ` a b c d e f g
  '7f08040478',
  '00447d4000',
  '2040403d00',
  '7f10284400',
  '00417f4000',
  '7c04180478',
  '7c08040478',
  '3844444438', // h i j k l m n o
  '7c14141408',
  '081414187c',
  '7c08040408',
  '4854545420',
  '043f444020',
  '3c4040207c',
  '1c2040201c',
  '3c4030403c', // p q r s t u v w
  '4428102844',
  '0c5050503c',
  '4464544c44',
  '0008364100',
  '00007f0000',
  '0041360800',
  '0804081008', // x y z { | } ~
].join('');

const COLUMNS = Uint8Array.from({ length: GLYPHS_HEX.length / 2 }, (_, k) =>
  parseInt(GLYPHS_HEX.slice(2 * k, 2 * k + 2), 16),
);

/** The 5 column bytes of a character; characters outside printable ASCII draw as '?'. */
export function glyphColumns(char: string): Uint8Array {
  const code = char.charCodeAt(0);
  const index = code >= FIRST && code <= LAST ? code - FIRST : '?'.charCodeAt(0) - FIRST;
  return COLUMNS.subarray(index * GLYPH_WIDTH, (index + 1) * GLYPH_WIDTH);
}
