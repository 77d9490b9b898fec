// Deterministic generator of varied English review-like sentences for the VADER agreement
// test and the benchmark: negations, boosters and dampeners, ALL CAPS, '!'/'?' runs, "but"
// clauses, "least", idioms, emoticons, emoji, contractions glued to punctuation, Unicode
// spaces and accents. Same seed, same sentences.
'use strict';

function mulberry32(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = ['The support', 'My VPS', 'This hosting', 'OVH', 'The new control panel',
  'Their billing team', 'The server', 'Customer service', 'The API', 'Our database',
  'The migration', 'The price', 'The documentation', 'Your network', 'The Kubernetes cluster',
  'The phone support', 'This company', 'The uptime', 'The web interface', 'Everything',
  'The invoice', 'The technician', 'The response time', 'It', 'This', 'The dedicated box'];
const VERBS = ['is', 'was', 'has been', 'seems', 'looks', 'felt', 'remains', 'became', 'is just',
  'was really', 'will be', 'has always been'];
const ADJECTIVES = ['good', 'great', 'bad', 'terrible', 'awesome', 'horrible', 'helpful',
  'useless', 'amazing', 'excellent', 'poor', 'disappointing', 'nice', 'fine', 'okay',
  'wonderful', 'awful', 'pathetic', 'lovely', 'broken', 'fantastic', 'annoying', 'friendly',
  'rude', 'slow', 'fast', 'reliable', 'stable', 'cheap', 'expensive', 'perfect', 'worst',
  'best', 'sad', 'happy', 'angry', 'ridiculous', 'smart', 'funny', 'uncompelling', 'decent',
  'mediocre', 'superb', 'lame', 'stupid', 'brilliant', 'frustrating', 'satisfying', 'unacceptable',
  'outstanding', 'crappy', 'fine-ish', 'reliable-ish', 'gr8', 'meh', 'solid', 'painful'];
const BOOSTERS = ['very', 'extremely', 'really', 'so', 'kind of', 'sort of', 'barely', 'hardly',
  'totally', 'absolutely', 'incredibly', 'slightly', 'somewhat', 'quite', 'most', 'more', 'less',
  'VERY', 'REALLY', 'kinda', 'sorta', 'utterly', 'fucking', 'effing', 'just enough', 'little',
  'almost', 'particularly', 'deeply', 'hella', 'frickin', 'majorly', 'occasionally'];
const NEGATIONS = ['not', "isn't", 'never', "don't think it is", "can't say it is", 'without being',
  'nothing', "wasn't", "didn't feel", "ain't", 'nope,', 'not at all', "won't be", 'neither',
  'rarely', 'seldom', 'despite being', "wouldn't call it", 'NOT', "doesn't seem", 'nor',
  'cannot be', 'uh-uh', 'not even'];
const EMOTICONS = [':)', ':(', ':D', ':-(', '<3', ';)', ':/', ':P', 'xD', '😀', '😡', '👍',
  ':-)', '=)', ':\'(', '>:(', ':-D', 'XD', ':|', '</3', '(:', '8)', ':-/', '🙂', '💔'];
const IDIOMS = ['the shit', 'the bomb', 'kiss of death', 'yeah right', 'cut the mustard',
  'hand to mouth', 'bad ass', 'at least', 'the very least', 'least', 'never so', 'never this'];
const PUNCT = ['.', '!', '!!', '!!!', '?', '??', '???', '?!?', '!?!?', '...', ',', '', '', '.',
  '!!!!!', ' !', '?!', ';', ':'];
const FILLERS = ['honestly', 'lol', 'tbh', 'FYI', 'btw', 'seriously', 'well', 'ok', 'hmm',
  'sigh', 'haha', 'wow', 'thanks', 'please', 'help', 'support', 'like', 'no', 'yes', 'yeah',
  'ugh', 'damn', 'omg', 'wtf', 'LOL', 'sure', 'fail', 'win', 'love', 'hate', 'ticket #4521',
  'since 2019', 'for 3 days', 'in Gravelines', 'café crème', 'déjà vu', 'naïve', 'über'];
const REAL = [
  'My server has been down for three days and nobody answered my ticket.',
  'Support was quick and helpful, thanks a lot!',
  'I was charged twice this month, still waiting for a refund.',
  'Great price, but the network is not stable at all.',
  'Never again. Worst hosting experience ever!!!',
  'The control panel is kind of confusing but it works.',
  "I don't hate it, but I don't love it either.",
  'Absolutely NOT recommended. Scam!',
  'It is okay, nothing special.',
  'The VPS is fast, reliable and cheap :)',
  'Lost all my data after the fire, no backup offered, no compensation.',
  'They fixed the issue in ten minutes, impressive.',
  'Why is the API so slow??? Seriously?',
  'At least the migration was painless.',
  'Not bad at all, actually pretty good.',
  'Yeah right, "24/7 support".',
  'The documentation is the bomb.',
  'This update is the kiss of death for small customers.',
  "The uptime isn't great, but the price is unbeatable.",
  'HORRIBLE support, GREAT hardware.',
];

function pick(rng, list) { return list[Math.floor(rng() * list.length)]; }

function clause(rng) {
  const parts = [pick(rng, SUBJECTS), pick(rng, VERBS)];
  const r = rng();
  if (r < 0.25) parts.push(pick(rng, NEGATIONS));
  if (rng() < 0.4) parts.push(pick(rng, BOOSTERS));
  if (rng() < 0.15) parts.push(pick(rng, BOOSTERS));
  let adj = pick(rng, ADJECTIVES);
  if (rng() < 0.12) adj = adj.toUpperCase();
  parts.push(adj);
  if (rng() < 0.2) parts.push('and', pick(rng, ADJECTIVES));
  if (rng() < 0.1) parts.splice(Math.floor(rng() * parts.length), 0, pick(rng, IDIOMS));
  if (rng() < 0.15) parts.push(pick(rng, FILLERS));
  return parts.join(' ');
}

function sentence(rng) {
  if (rng() < 0.12) {
    let s = pick(rng, REAL);
    if (rng() < 0.3) s = s.toUpperCase();
    if (rng() < 0.3) s += ' ' + pick(rng, EMOTICONS);
    return s;
  }
  const n = 1 + Math.floor(rng() * 3);
  let out = '';
  for (let i = 0; i < n; i++) {
    let c = clause(rng);
    if (i > 0) {
      const joiner = pick(rng, [', ', ' and ', ' but ', ' BUT ', '. ', '! ', ' - ', '; ',
        ', but ', '\u00a0but ', ' yet ', '\n']);
      c = joiner + (joiner.endsWith('. ') || joiner.endsWith('! ') ? c : c.charAt(0).toLowerCase() + c.slice(1));
    }
    out += c;
  }
  out += pick(rng, PUNCT);
  if (rng() < 0.2) out += ' ' + pick(rng, EMOTICONS);
  if (rng() < 0.05) out = out.toUpperCase();
  if (rng() < 0.05) out = out.replace(/ /g, '  ');
  if (rng() < 0.05) out = '"' + out + '"';
  if (rng() < 0.03) out = out.replace(/ /, '\u2009');
  return out;
}

function generate(count, seed = 20240601) {
  const rng = mulberry32(seed);
  const out = [];
  for (let i = 0; i < count; i++) out.push(sentence(rng));
  return out;
}

module.exports = { generate };
