/**
 * Prompt templates for graphic design: a logo with text and a kawaii sticker.
 * @module
 */
import { template } from './promptTemplateParts.js';

export const logoText = template({
  name: 'logo_text',
  title: 'Logo with text',
  description:
    'A clean logo for a brand with its exact text rendered legibly in a chosen typeface, style and colour scheme.',
  category: 'design',
  useCases: ['Brand and startup logos', 'Shop signs and labels', 'App icons and social avatars with a wordmark'],
  tool: 'generate_image',
  parameters: {
    brand: {
      description: 'The brand or project, and what it does.',
      required: true,
      suggestions: [
        'a neighbourhood coffee shop',
        'a tech startup',
        'a yoga studio',
        'an artisan bakery',
        'an indie game studio',
        'a craft brewery',
        'a children’s bookstore',
        'a plant nursery',
      ],
      example: 'Bean & Bloom, a neighbourhood coffee shop that also sells flowers',
    },
    text: {
      description: 'The exact text to show in the logo (keep it short).',
      required: true,
      verbatim: true,
      suggestions: ['EST. 2025', 'Coffee & Co.', 'Studio', 'Bakery', 'Games'],
      example: 'Bean & Bloom',
    },
    font_style: {
      description: 'Typeface style for the text.',
      required: false,
      default: 'clean geometric sans-serif',
      suggestions: [
        'clean geometric sans-serif',
        'elegant high-contrast serif',
        'bold condensed sans-serif',
        'hand-lettered script',
        'rounded, friendly sans-serif',
        'monospace tech',
        'vintage slab serif',
        'art deco display',
      ],
      example: 'elegant high-contrast serif',
    },
    style_desc: {
      description: 'Overall look and feel, and any icon or mark.',
      required: false,
      default: 'modern and minimalist, with a simple, memorable icon beside the text',
      suggestions: [
        'modern and minimalist, with a simple, memorable icon beside the text',
        'playful and hand-drawn',
        'luxurious and refined',
        'retro 1970s',
        'bold and geometric',
        'organic and earthy, with a leaf motif',
        'futuristic and techy',
        'vintage circular badge',
      ],
      example: 'minimalist, with a coffee bean that turns into a flower bud above the text',
    },
    color_scheme: {
      description: 'Colours of the logo.',
      required: false,
      default: 'black and white with one warm accent colour',
      suggestions: [
        'black and white with one warm accent colour',
        'navy and gold',
        'forest green and cream',
        'terracotta and sand',
        'electric blue and white',
        'pastel pink and mint',
        'monochrome charcoal',
        'vibrant orange and deep purple',
      ],
      example: 'deep espresso brown and soft blush pink',
    },
  },
  render: (v) =>
    [
      `Design a logo for ${v.brand}.`,
      `The logo shows the text "${v.text}", spelled exactly as written.`,
      `Typography: ${v.font_style}, with even letter spacing, perfectly legible even at small sizes.`,
      `Style: ${v.style_desc}.`,
      `Colour scheme: ${v.color_scheme}.`,
      'Balanced negative space, crisp vector-like edges and flat colours with no photographic textures or mock-up.',
      'Centre it on a plain white background with generous margins, so it works on a storefront, an app icon and a business card.',
      'No other text.',
    ].join(' '),
});

export const stickerFlat = template({
  name: 'sticker_flat',
  title: 'Kawaii sticker',
  description:
    'A cute die-cut sticker: a character with an accessory, bold outlines, simple cel shading and a vivid palette on white.',
  category: 'illustration',
  useCases: ['Stickers and emoji packs', 'Mascots and icons', 'Merchandise and print-on-demand'],
  tool: 'generate_image',
  parameters: {
    character: {
      description: 'The character, and what it is doing or feeling.',
      required: true,
      suggestions: [
        'a happy red panda',
        'a sleepy shiba inu',
        'a cheerful avocado',
        'a tiny astronaut cat',
        'a grumpy little cactus',
        'a smiling cup of bubble tea',
        'a baby dragon',
        'a waving penguin',
      ],
      example: 'a happy red panda munching on a bamboo leaf',
    },
    accessory: {
      description: 'Something it wears or holds.',
      required: false,
      default: 'a tiny knitted scarf',
      suggestions: [
        'a tiny knitted scarf',
        'a tiny bamboo hat',
        'a party hat',
        'round glasses',
        'a red balloon',
        'a backpack',
        'headphones',
        'a flower crown',
      ],
      example: 'a tiny bamboo hat',
    },
    palette: {
      description: 'Colour palette.',
      required: false,
      default: 'vivid, cheerful colours',
      suggestions: [
        'vivid, cheerful colours',
        'soft pastels',
        'warm sunset oranges and pinks',
        'mint and lavender',
        'bold primary colours',
        'earthy greens and browns',
        'neon pop colours',
      ],
      example: 'warm oranges and fresh bamboo greens',
    },
  },
  render: (v) =>
    [
      `A kawaii-style die-cut sticker of ${v.character}.`,
      `Accessory: ${v.accessory}.`,
      'Cute, expressive face with big shiny eyes and simple rounded shapes.',
      `Bold, clean outlines and simple cel shading; colour palette: ${v.palette}.`,
      'Flat illustration with no gradients or photographic texture, surrounded by a thick white sticker border.',
      'Centred on a plain white background, no text.',
    ].join(' '),
});
