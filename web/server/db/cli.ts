/**
 * Database commands (README, "Database"):
 *   npm run db:init -- --clinic "Riverside" --slug riverside --email you@clinic.com \
 *       --password '…' [--kb path/to/clinic.yaml] [--name "Your Name"]
 *   npm run db:demo      the demo clinic `riverside`, its users and a week of sample calls
 * Both open the database the web server would (DATABASE_URL, else DATA_DIR) and migrate it first.
 * An embedded database is one process's at a time: stop `npm start` before running them.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { parseWebConfig } from '../config.ts';
import { openDb } from './db.ts';
import { migrate } from './migrations.ts';
import { DEMO, initClinic, seedDemo } from './seed.ts';
import { createUser, listUsers, SLUG_PATTERN, tenantBySlug } from './tenants.ts';

const USAGE = `usage:
  npm run db:init -- --clinic "Clinic Name" --slug clinic-slug --email owner@clinic.example \\
      --password 'at least 10 characters' [--kb clinic.yaml] [--name "Owner Name"]
  npm run db:demo`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const parsed = parseWebConfig(process.env);
if (!parsed.ok) fail(parsed.errors.map((e) => `Configuration error: ${e}`).join('\n'));
const config = parsed.config;
const [command, ...rest] = process.argv.slice(2);
let args;
try {
  args = parseArgs({
    args: rest,
    options: {
      clinic: { type: 'string' },
      slug: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      kb: { type: 'string' },
      name: { type: 'string' },
    },
  }).values;
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`);
}

if (command === 'init') {
  const { slug, email, password } = args;
  if (!slug || !email || !password) fail(`--slug, --email and --password are required\n${USAGE}`);
  if (!SLUG_PATTERN.test(slug)) fail('--slug: lowercase letters, digits and dashes');
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) fail('--email: not an email address');
  if (password.length < 10) fail('--password: at least 10 characters');
} else if (command !== 'demo') fail(USAGE);

const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db);
  const where = config.databaseUrl ? 'DATABASE_URL' : config.dataDir;
  const existing = command === 'init' ? await tenantBySlug(db, args.slug!) : undefined;
  if (existing && (await listUsers(db, existing.id)).length === 0) {
    // the clinic the web server created from clinic.yaml on first start, still without anyone to log in
    await createUser(db, {
      tenantId: existing.id,
      email: args.email!,
      name: args.name ?? 'Owner',
      role: 'owner',
      password: args.password!,
    });
    if (args.clinic) await db.query('update tenants set name = $2 where id = $1', [existing.id, args.clinic]);
    console.log(`Clinic "${existing.slug}" existed without users; ${args.email} is now its owner (${where}).`);
  } else if (command === 'init') {
    const t = await initClinic(db, {
      kbPath: args.kb ? resolve(args.kb) : config.knowledgeBasePath,
      slug: args.slug!,
      name: args.clinic,
      owner: { email: args.email!, password: args.password!, name: args.name },
    });
    console.log(`Created clinic "${t.name}" (${t.slug}) and its owner ${args.email} in ${where}.`);
  } else if (await tenantBySlug(db, DEMO.slug)) {
    console.log(`The clinic "${DEMO.slug}" already exists in ${where}; nothing to do.`);
  } else {
    await seedDemo(db, config.knowledgeBasePath);
    console.log(
      `Demo clinic "${DEMO.slug}" created in ${where}: log in as ${DEMO.ownerEmail} ` +
        `(owner) or ${DEMO.staffEmail} (staff), password ${DEMO.password}.`,
    );
  }
} catch (e) {
  fail(`db ${command}: ${(e as Error).message}`);
} finally {
  await db.close();
}
