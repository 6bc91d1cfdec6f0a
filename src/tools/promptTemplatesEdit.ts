/**
 * Prompt templates for editing a given image: a precise edit and a style transfer.
 * @module
 */
import { template } from './promptTemplateParts.js';

export const iterativeEdit = template({
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

export const styleTransfer = template({
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
