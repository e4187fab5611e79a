declare module 'espeak-ng' {
  interface ESpeakNgModule {
    FS: { readFile(path: string, options?: { encoding?: 'binary' | 'utf8' }): Uint8Array | string };
  }
  export default function ESpeakNg(options: {
    arguments: string[];
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }): Promise<ESpeakNgModule>;
}
