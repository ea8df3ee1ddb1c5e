-- Images taller or wider than the text block are scaled down, keeping their proportions, so that a
-- figure and its caption stay inside the margins in both outputs. Without a size of its own an image
-- is shown at its natural size (its pixels at its dpi, 72 when it has none, as typst does), which
-- for a screenshot or a scanned diagram is often larger than the page.
--   thesisbuild-image-max-width-cm    the text block's width
--   thesisbuild-image-max-height-cm   the text block's height less room for the caption

local max_w, max_h = nil, nil
local CM_PER_INCH = 2.54

local function meta_number(meta, key)
  if meta[key] ~= nil then return tonumber(pandoc.utils.stringify(meta[key])) end
end

local function natural_cm(src)
  local path = src:gsub("^/", ""):gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end)
  local file = io.open(path, "rb")
  if not file then return nil end
  local bytes = file:read("a")
  file:close()
  local ok, size = pcall(pandoc.image.size, bytes)
  if not ok or not size or size.width == 0 or size.height == 0 then return nil end
  local dx = (size.dpi_horz and size.dpi_horz > 0) and size.dpi_horz or 72
  local dy = (size.dpi_vert and size.dpi_vert > 0) and size.dpi_vert or 72
  return size.width / dx * CM_PER_INCH, size.height / dy * CM_PER_INCH
end

-- The width (in cm) at which an image of natural size w x h cm fits the text block, or nil when
-- it fits as it is.
local function fitted_cm(w, h, width)
  local shown_w
  if width == nil then
    shown_w = math.min(w, max_w)
  else
    local pct = width:match("^([%d.]+)%%$")
    local cm = width:match("^([%d.]+)cm$")
    if pct then shown_w = tonumber(pct) / 100 * max_w
    elseif cm then shown_w = tonumber(cm)
    else return nil end
  end
  local shown_h = shown_w * h / w
  if shown_w <= max_w + 1e-6 and shown_h <= max_h + 1e-6 and (width ~= nil or w <= max_w) then return nil end
  return shown_w * math.min(max_w / shown_w, max_h / shown_h, 1)
end

-- The result is for every output: the DOCX's width in cm (thesisbuild-docx-width, from the image it
-- embeds) and typst's share of the text block (thesisbuild-typst-width, from the image it draws: a
-- generated figure's SVG), so that a draft's narrower block (room for comments) scales it too.
-- docx.lua and typst.lua each take their own.
local function Image(img)
  if not max_w or not max_h or img.attributes["height"] then return nil end
  local width = img.attributes["width"]
  local changed = false
  local w, h = natural_cm(img.src)
  local cm = w and fitted_cm(w, h, width)
  if cm then
    img.attributes["thesisbuild-docx-width"] = string.format("%.2fcm", cm)
    changed = true
  end
  if img.attributes["thesisbuild-figure"] then w, h = natural_cm((img.src:gsub("%.png$", ".svg"))) end
  cm = w and fitted_cm(w, h, width)
  if cm then
    img.attributes["thesisbuild-typst-width"] = string.format("%.1f%%", cm / max_w * 100)
    changed = true
  end
  if changed then return img end
end

return {
  {Meta = function(meta)
    max_w = meta_number(meta, "thesisbuild-image-max-width-cm")
    max_h = meta_number(meta, "thesisbuild-image-max-height-cm")
  end},
  {Image = Image},
}
