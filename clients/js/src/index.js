// The browser entry: no imports outside this directory, so a page can load it as it is:
//   <script type="module">import { RoomlogClient } from '/js/roomlog-client/index.js';</script>
export { RoomlogClient } from './client.js';
export { Room } from './room.js';
export { RoomlogError } from './errors.js';
export { reconnectDelay, retryAfterHeaderMs } from './backoff.js';
