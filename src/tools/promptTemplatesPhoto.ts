/**
 * Prompt templates for photographs: a photorealistic shot and a studio product shot.
 * @module
 */
import { aspectHintParameter, framing, template } from './promptTemplateParts.js';

export const photorealisticShot = template({
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

export const productShot = template({
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
