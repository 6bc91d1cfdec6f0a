/**
 * The six prompt templates as data: parameters with descriptions, defaults and suggestions, and how each
 * renders into a rich, specific Nano Banana prompt. Registered as MCP prompts by promptTemplates.ts.
 * @module
 */
import { ALL_ASPECT_RATIOS } from '../core/models.js';

export interface TemplateParameter {
  description: string;
  required: boolean;
  /** Applied at render when the argument is missing or blank (optional parameters only). */
  default?: string;
  /** Offered by completion, filtered by the typed prefix. */
  suggestions: readonly string[];
  /** Used to render the template's example prompt. */
  example: string;
  /** Kept exactly as typed (no trailing full stop removed), e.g. text to draw. */
  verbatim?: boolean;
}

export type TemplateCategory = 'photography' | 'design' | 'commercial' | 'illustration' | 'editing' | 'artistic';

export interface PromptTemplate<K extends string = string> {
  name: string;
  title: string;
  description: string;
  category: TemplateCategory;
  useCases: readonly string[];
  /** The tool the rendered prompt is meant for. */
  tool: 'generate_image' | 'edit_image';
  /** In argument order. */
  parameters: Record<K, TemplateParameter>;
  render(values: Record<K, string>): string;
}

export const CATEGORY_DESCRIPTIONS: Record<TemplateCategory, string> = {
  photography: 'Photorealistic scenes described the way a photographer would: shot, light, lens.',
  design: 'Logos and graphics with exact, legible text.',
  commercial: 'Studio product photography for shops and ads.',
  illustration: 'Flat, bold illustrations such as stickers and icons.',
  editing: 'Precise changes to an existing image that keep everything else intact.',
  artistic: 'Restyling an existing image in an art style while keeping its composition.',
};

export const ASPECT_HINTS = [
  'Square image',
  'Portrait',
  'Landscape',
  '16:9',
  '4:3',
  '3:2',
  '2:3',
  '3:4',
  '4:5',
  '9:16',
  '21:9',
] as const;

const DEFAULT_ASPECT_HINT = 'Square image';

const aspectHintParameter: TemplateParameter = {
  description:
    'Shape of the image: "Square image", "Portrait", "Landscape", or a width:height ratio such as 16:9 or 4:3.',
  required: false,
  default: DEFAULT_ASPECT_HINT,
  suggestions: ASPECT_HINTS,
  example: '4:3',
};

/** The aspect_ratio of generate_image that an aspect hint stands for, when there is one. */
export function aspectRatioOf(hint: string): string | undefined {
  const text = hint.trim().toLowerCase();
  const ratio = /(\d+)\s*[:x]\s*(\d+)/.exec(text);
  if (ratio) {
    const value = `${ratio[1]}:${ratio[2]}`;
    return (ALL_ASPECT_RATIOS as readonly string[]).includes(value) ? value : undefined;
  }
  if (/square/.test(text)) return '1:1';
  if (/portrait|vertical|tall/.test(text)) return '3:4';
  if (/widescreen|cinematic|panoram/.test(text)) return '16:9';
  if (/landscape|horizontal|wide/.test(text)) return '4:3';
  return undefined;
}

function framing(hint: string): string {
  const text = hint.trim().toLowerCase();
  const ratio = aspectRatioOf(hint);
  if (/square/.test(text)) return 'Frame it as a square image (1:1).';
  if (/portrait|vertical|tall/.test(text))
    return `Frame it as a vertical portrait-format image${ratio ? ` (${ratio})` : ''}.`;
  if (/landscape|horizontal|wide|cinematic|panoram/.test(text))
    return `Frame it as a horizontal landscape-format image${ratio ? ` (${ratio})` : ''}.`;
  if (ratio) return `Frame it in a ${ratio} aspect ratio.`;
  return `Format: ${hint.trim()}.`;
}

function template<K extends string>(definition: PromptTemplate<K>): PromptTemplate<K> {
  return definition;
}

const photorealisticShot = template({
  name: 'photorealistic_shot',
  title: 'Photorealistic shot',
  description:
    'A photorealistic photograph of a subject, described like a photographer would: composition, lighting and camera/lens.',
  category: 'photography',
  useCases: ['Portraits and lifestyle photos', 'Nature and wildlife scenes', 'Editorial and stock-style images'],
  tool: 'generate_image',
  parameters: {
    subject: {
      description: 'Who or what is in the photo, what they are doing and where.',
      required: true,
      suggestions: [
        'an elderly ceramicist inspecting a freshly glazed tea bowl in his workshop',
        'a red fox crossing a snowy meadow at dawn',
        'a barista pouring latte art in a busy café',
        'a lighthouse on a rocky coast during a storm',
        'a street-food vendor cooking noodles at a night market',
        'a young woman reading by a rain-streaked window',
        'a cyclist riding along a coastal road',
      ],
      example: 'an elderly Japanese ceramicist inspecting a freshly glazed tea bowl in his sunlit workshop',
    },
    composition: {
      description: 'Shot type and framing.',
      required: false,
      default: 'medium shot with the subject on the left third and a softly blurred background',
      suggestions: [
        'close-up portrait',
        'medium shot following the rule of thirds',
        'wide establishing shot',
        'low-angle hero shot',
        'overhead flat lay',
        'extreme close-up on the details',
        'over-the-shoulder shot',
        'symmetrical, centred composition',
      ],
      example: 'close-up portrait, the bowl held up near his face',
    },
    lighting: {
      description: 'Light source, direction, quality and mood.',
      required: false,
      default: 'soft, warm golden-hour sunlight from the side',
      suggestions: [
        'soft, warm golden-hour sunlight from the side',
        'overcast, diffused daylight',
        'dramatic Rembrandt lighting',
        'blue-hour ambient light with neon accents',
        'harsh midday sun with deep shadows',
        'warm candlelight',
        'backlit with a glowing rim light',
        'soft north-facing window light',
      ],
      example: 'soft afternoon light from a single window on the left',
    },
    camera: {
      description: 'Camera, lens, aperture or film look.',
      required: false,
      default: '85mm portrait lens at f/1.8 on a full-frame camera',
      suggestions: [
        '85mm portrait lens at f/1.8 on a full-frame camera',
        '35mm lens at f/2.8, documentary style',
        '24mm wide-angle lens at f/8',
        '100mm macro lens',
        '50mm lens at f/1.4',
        'medium-format camera with an 80mm lens',
        '200mm telephoto lens at f/4',
        'Kodak Portra 400 film look',
      ],
      example: '85mm lens at f/2 with a shallow depth of field',
    },
    aspect_hint: aspectHintParameter,
  },
  render: (v) =>
    [
      `A photorealistic photograph of ${v.subject}.`,
      `Composition: ${v.composition}.`,
      `Lighting: ${v.lighting}, shaping the mood and bringing out real textures such as skin, fabric, wood and metal.`,
      `Camera: ${v.camera}; crisp focus on the subject and true-to-life colour.`,
      'Fine, believable detail and realistic proportions; it must look like a real photograph, not an illustration or a CGI render.',
      framing(v.aspect_hint),
    ].join(' '),
});

const logoText = template({
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

const productShot = template({
  name: 'product_shot',
  title: 'Studio product shot',
  description:
    'A high-resolution, studio-lit commercial product photo on a chosen background, with a lighting setup and camera angle.',
  category: 'commercial',
  useCases: ['E-commerce listings', 'Advertising and social media', 'Packaging and catalogue images'],
  tool: 'generate_image',
  parameters: {
    product: {
      description: 'The product, with its material, colour and notable details.',
      required: true,
      suggestions: [
        'a matte black ceramic coffee mug',
        'a minimalist stainless-steel wristwatch',
        'an amber glass bottle of skincare serum with a dropper',
        'a pair of white leather sneakers',
        'wireless over-ear headphones',
        'a hand-poured soy candle in a frosted glass jar',
        'a bottle of cold-pressed orange juice',
      ],
      example: 'an amber glass bottle of skincare serum with a gold dropper cap',
    },
    background: {
      description: 'Surface and backdrop the product stands on.',
      required: false,
      default: 'a seamless light-grey studio backdrop',
      suggestions: [
        'a seamless light-grey studio backdrop',
        'a seamless white backdrop',
        'a polished black marble surface',
        'a raw concrete slab',
        'a soft pastel gradient backdrop',
        'a rustic oak tabletop',
        'wet slate with water droplets',
        'a terrazzo pedestal',
      ],
      example: 'a wet slate surface with scattered water droplets and a sprig of eucalyptus',
    },
    lighting_setup: {
      description: 'Studio lighting and what it should bring out.',
      required: false,
      default: 'three-point softbox lighting',
      suggestions: [
        'three-point softbox lighting',
        'a single large softbox from above',
        'hard rim light on a dark set',
        'natural window light',
        'gradient backlight that makes glass glow',
        'bright, even high-key lighting',
        'a low-key, dramatic spotlight',
      ],
      example: 'a large softbox from the left and a backlight that makes the amber glass glow',
    },
    angle: {
      description: 'Camera angle and framing.',
      required: false,
      default: 'three-quarter view at eye level',
      suggestions: [
        'three-quarter view at eye level',
        'straight-on front view',
        'elevated 45-degree angle',
        'top-down flat lay',
        'low hero angle',
        'macro close-up of the texture',
        'side profile',
      ],
      example: 'slightly low hero angle',
    },
    aspect_hint: aspectHintParameter,
  },
  render: (v) =>
    [
      `A high-resolution, studio-lit commercial product photograph of ${v.product}, placed on ${v.background}.`,
      `Lighting: ${v.lighting_setup}, with controlled reflections and soft, realistic shadows that give the product depth.`,
      `Camera angle: ${v.angle}, showing its shape, materials and key details.`,
      'Ultra-realistic, tack-sharp focus on the product, accurate colours and true-to-life materials; clean and uncluttered, advertising quality.',
      'No added text, watermarks or logos beyond what is on the product itself.',
      framing(v.aspect_hint),
    ].join(' '),
});

const stickerFlat = template({
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

const iterativeEdit = template({
  name: 'iterative_edit_instruction',
  title: 'Precise edit',
  description:
    'An edit instruction for an existing image: change one thing and keep everything else, matching the original style, lighting and perspective.',
  category: 'editing',
  useCases: [
    'Adding, removing or replacing one element',
    'Changing colours, clothes or time of day',
    'Step-by-step refinement of an earlier result',
  ],
  tool: 'edit_image',
  parameters: {
    what_to_change: {
      description: 'The one change to make, in plain words.',
      required: true,
      suggestions: [
        'replace the sky with a dramatic sunset',
        'change the jacket to red leather',
        'remove the person in the background',
        'add a steaming cup of coffee on the table',
        'make it night, with warm street lights',
        'add light snowfall',
        'turn the wall into exposed brick',
      ],
      example: 'add a small ginger cat sleeping on the windowsill',
    },
    how_it_should_blend: {
      description: 'How the change should sit in the image.',
      required: false,
      default: 'seamlessly, as if it had always been part of the photo',
      suggestions: [
        'seamlessly, as if it had always been part of the photo',
        'match the light direction and cast soft, consistent shadows',
        'keep the same perspective and scale as the surroundings',
        'match the colour grading and film grain',
        'keep faces, poses and expressions unchanged',
      ],
      example: 'lit by the same window light, with a soft shadow on the sill',
    },
  },
  render: (v) =>
    [
      `Using the provided image, make this change: ${v.what_to_change}.`,
      'Change only that. Keep everything else exactly as it is: the same subjects, identities, faces, poses, framing, background and details.',
      `Blend it in naturally: ${v.how_it_should_blend}.`,
      'Match the original style, light direction, shadows, perspective, scale, depth of field and texture, so the result looks like an untouched original.',
    ].join(' '),
});

const styleTransfer = template({
  name: 'composition_and_style_transfer',
  title: 'Style transfer',
  description:
    'Restyle a provided photo in a reference art style while keeping its composition, subject placement and main shapes.',
  category: 'artistic',
  useCases: ['Turning photos into paintings or illustrations', 'Consistent styled series', 'Posters and gifts'],
  tool: 'edit_image',
  parameters: {
    target_subject: {
      description: 'What the provided photo shows.',
      required: true,
      suggestions: [
        'a city street at night',
        'a portrait of a woman',
        'my dog in the park',
        'a mountain landscape',
        'a family dinner table',
        'a bicycle leaning against a wall',
      ],
      example: 'a busy city street at night with cars and shop lights',
    },
    style_reference: {
      description: 'The art style, movement or artwork to borrow from.',
      required: true,
      suggestions: [
        "Vincent van Gogh's The Starry Night",
        "Hokusai's ukiyo-e woodblock prints",
        'an Impressionist oil painting',
        'an Art Nouveau poster',
        'a watercolour illustration',
        'a 1950s comic book',
        'pixel art',
        'a charcoal sketch',
        'stained glass',
      ],
      example: "Vincent van Gogh's The Starry Night",
    },
    style_desc: {
      description: 'The stylistic elements to apply.',
      required: false,
      default: 'its characteristic brushwork or line, colour palette and textures',
      suggestions: [
        'its characteristic brushwork or line, colour palette and textures',
        'swirling impasto brushstrokes in deep blues and bright yellows',
        'flat areas of colour with bold outlines',
        'soft washes and visible paper texture',
        'halftone dots and heavy ink lines',
        'chunky pixels and a limited palette',
        'loose, expressive strokes',
      ],
      example: 'swirling, impasto brushstrokes and a dramatic palette of deep blues and bright yellows',
    },
  },
  render: (v) =>
    [
      `Transform the provided photograph of ${v.target_subject} into the artistic style of ${v.style_reference}.`,
      'Keep the original composition: the same framing, perspective, subject placement, poses and main shapes, so the scene stays instantly recognisable.',
      `Render it with ${v.style_desc}, applied consistently to the whole image (subject, background and light) as if it had been made in that style from the start.`,
      'Do not add or remove elements, and add no text.',
    ].join(' '),
});

export const PROMPT_TEMPLATES: readonly PromptTemplate[] = [
  photorealisticShot,
  logoText,
  productShot,
  stickerFlat,
  iterativeEdit,
  styleTransfer,
];

/** Suggestions that start with what was typed (case-insensitive), in their listed order. */
