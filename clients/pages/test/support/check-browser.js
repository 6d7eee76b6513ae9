// `npm test`'s pretest: says once, before the tests, when they will skip for want of a browser.
import { noBrowserMessage } from './browser.js';

const message = noBrowserMessage();
if (message) console.error(`\n*** ${message}\n`);
