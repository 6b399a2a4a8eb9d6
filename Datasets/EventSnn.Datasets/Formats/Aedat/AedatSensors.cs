using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>Maps camera model names (jAER AEChip classes, cAER/DV source names) to sensor sizes.</summary>
public static class AedatSensors
{
    /// <summary>
    /// The sensor size of a camera model named as AEDAT headers name it (<c>DVS128</c>,
    /// <c>ch.unizh.ini.jaer.chip.retina.Tmpdiff128</c>, <c>eu.seebetter.ini.chips.davis.DAVIS240C</c>, <c>Davis346B</c>,
    /// <c>DAVIS346_00000002</c>), or null when the model is not known. DVS128 and Tmpdiff128 → 128×128, DAVIS240* →
    /// 240×180, DAVIS346* → 346×260, DAVIS128 → 128×128, DAVIS208 → 208×192, DAVIS640 → 640×480. DVXplorer models
    /// are not guessed (their resolution depends on the variant and its settings: files state sizeX/sizeY).
    /// </summary>
    /// <param name="model">The model or class name; a Java package prefix is ignored, case does not matter.</param>
    public static SensorSize? FromModel(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        string name = model.Trim();
        int dot = name.LastIndexOf('.');
        if (dot >= 0)
        {
            name = name[(dot + 1)..];
        }

        return Match(name, "DVS128") || Match(name, "Tmpdiff128") ? new SensorSize(128, 128)
            : Match(name, "DAVIS240") ? new SensorSize(240, 180)
            : Match(name, "DAVIS346") ? new SensorSize(346, 260)
            : Match(name, "DAVIS128") ? new SensorSize(128, 128)
            : Match(name, "DAVIS208") ? new SensorSize(208, 192)
            : Match(name, "DAVIS640") ? new SensorSize(640, 480)
            : null;
    }

    private static bool Match(string name, string prefix) => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}
