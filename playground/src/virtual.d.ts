/** The URL of the image mode's gzipped MNIST subset (playground/mnist-subset.ts). */
declare module 'virtual:mnist-subset' {
  const url: string;
  export default url;
}
