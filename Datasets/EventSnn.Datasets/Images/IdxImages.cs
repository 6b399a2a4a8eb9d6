namespace EventSnn.Datasets.Images;

/// <summary>
/// The image/label file pairs in LeCun's IDX layout that MNIST and Fashion-MNIST ship as (<c>PREFIX-images-idx3-ubyte</c>
/// and <c>PREFIX-labels-idx1-ubyte</c>, gzip-compressed or not): found in a folder and read into <see cref="LabeledImages"/>.
/// </summary>
internal static class IdxImages
{
    /// <summary>The file <paramref name="stem"/> (or <c>stem.gz</c>, preferred) in <paramref name="dir"/>, or null.</summary>
    /// <param name="dir">The folder.</param>
    /// <param name="stem">The file name without <c>.gz</c>.</param>
    public static string? FindFile(string dir, string stem)
    {
        foreach (string name in (string[])[stem + ".gz", stem])
        {
            string p = Path.Combine(dir, name);
            if (File.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads an image file (unsigned bytes, count × rows × columns) and its label file (unsigned bytes, one per image, each
    /// below the number of classes); pixels are scaled to [0, 1].
    /// </summary>
    /// <param name="images">The image file.</param>
    /// <param name="labels">The label file.</param>
    /// <param name="classNames">The class names (labels index them).</param>
    /// <exception cref="IdxFormatException">A file is malformed, or images and labels disagree.</exception>
    public static LabeledImages LoadPair(string images, string labels, IReadOnlyList<string> classNames)
    {
        IdxArray img = IdxReader.Read(images);
        IdxArray lab = IdxReader.Read(labels);
        if (img.DataType != IdxDataType.UInt8 || img.Dimensions.Count != 3)
        {
            throw new IdxFormatException(images, 0, $"expected unsigned bytes in 3 dimensions (count×rows×columns), found {img.DataType} in {img.Dimensions.Count}.");
        }

        if (lab.DataType != IdxDataType.UInt8 || lab.Dimensions.Count != 1)
        {
            throw new IdxFormatException(labels, 0, $"expected unsigned bytes in 1 dimension, found {lab.DataType} in {lab.Dimensions.Count}.");
        }

        if (img.Dimensions[0] != lab.Dimensions[0])
        {
            throw new IdxFormatException(labels, 4, $"{lab.Dimensions[0]} labels for {img.Dimensions[0]} images in {images}.");
        }

        byte[] lb = lab.AsBytes();
        for (int i = 0; i < lb.Length; i++)
        {
            if (lb[i] >= classNames.Count)
            {
                throw new IdxFormatException(labels, 8 + i, $"label {lb[i]} of image {i} is not a class (0–{classNames.Count - 1}).");
            }
        }

        byte[] raw = img.AsBytes();
        float[] pixels = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            pixels[i] = raw[i] / 255f;
        }

        return new LabeledImages(pixels, lb, img.Dimensions[2], img.Dimensions[1], classNames, images);
    }
}
