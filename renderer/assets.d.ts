// Vite turns an imported asset into its URL in the build (hashed, under assets/).
declare module '*.wav' {
  const url: string;
  export default url;
}
