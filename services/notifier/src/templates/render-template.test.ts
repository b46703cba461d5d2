import { describe, expect, it } from 'vitest';
import { renderJsonTemplate, renderTemplate } from './render-template.ts';
import { browsableRepoUrl, formatDuration } from './template-fields.ts';

describe('message templates', () => {
  const fields = { app: 'shop', revisionShort: 'a1b2c3d', reason: 'x < y & z', data: { counts: { applied: 3 } }, revisionLink: { raw: '<https://git/x|a1b2c3d>' } };

  it('fills fields and nested event data', () => {
    expect(renderTemplate('{{app}} at {{ revisionShort }}: {{data.counts.applied}} applied', fields, 'plain'))
      .toEqual({ text: 'shop at a1b2c3d: 3 applied', missing: [] });
  });

  it('renders a missing field as a placeholder and reports it once', () => {
    expect(renderTemplate('{{ data.ticket }} / {{data.ticket}} / {{ author }}', fields, 'plain'))
      .toEqual({ text: '[missing: data.ticket] / [missing: data.ticket] / [missing: author]', missing: ['data.ticket', 'author'] });
  });

  it('escapes values for Slack mrkdwn but keeps links built by the notifier', () => {
    expect(renderTemplate('{{reason}} {{revisionLink}}', fields, 'slack').text).toBe('x &lt; y &amp; z <https://git/x|a1b2c3d>');
    expect(renderTemplate('{{reason}}', fields, 'plain').text).toBe('x < y & z');
  });

  it('renders every string of a Block Kit template', () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*{{app}}* {{ health }}' } }];
    expect(renderJsonTemplate(blocks, fields, 'slack')).toEqual({
      value: [{ type: 'section', text: { type: 'mrkdwn', text: '*shop* [missing: health]' } }],
      missing: ['health'],
    });
  });

  it('links commits only on https repositories, without credentials', () => {
    expect(browsableRepoUrl('https://user:token@git.example.com/acme/shop.git/')).toBe('https://git.example.com/acme/shop');
    expect(browsableRepoUrl('git@github.com:acme/shop.git')).toBeUndefined();
    expect(browsableRepoUrl('http://git.example.com/acme/shop')).toBeUndefined();
  });

  it('formats durations for people', () => {
    expect([850, 12_400, 60_000, 185_000].map(formatDuration)).toEqual(['850 ms', '12.4 s', '1 min', '3 min 5 s']);
  });
});
