/** undici's HTTP/1.1 client module alone (the package's index loads all of undici; see origin-connections.ts). */
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}
