-- Images taller or wider than the text block are scaled down, keeping their proportions, so that a
-- figure and its caption stay inside the margins in both outputs; and a table's relative column
-- widths are widened where a column is narrower than its longest word (see Table below). Without a size of its own an image
-- is shown at its natural size (its pixels at its dpi, 72 when it has none, as typst does), which
-- for a screenshot or a scanned diagram is often larger than the page.
--   thesisbuild-image-max-width-cm    the text block's width
--   thesisbuild-image-max-height-cm   the text block's height less room for the caption
--   thesisbuild-font-size-pt          the body text's size (a table's words are measured in it)

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

-- Advance widths (em) of the printable ASCII characters in Liberation Serif, regular and bold, which
-- has Times New Roman's metrics (a cell's words are regular unless set in bold).
local REGULAR_EM = {0.25, 0.333, 0.408, 0.5, 0.5, 0.833, 0.778, 0.18, 0.333, 0.333, 0.5, 0.564, 0.25, 0.333,
  0.25, 0.278, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.278, 0.278, 0.564, 0.564, 0.564, 0.444,
  0.921, 0.722, 0.667, 0.667, 0.722, 0.611, 0.556, 0.722, 0.722, 0.333, 0.389, 0.722, 0.611, 0.889, 0.722,
  0.722, 0.556, 0.722, 0.667, 0.556, 0.611, 0.722, 0.722, 0.944, 0.722, 0.722, 0.611, 0.333, 0.278, 0.333,
  0.469, 0.5, 0.333, 0.444, 0.5, 0.444, 0.5, 0.444, 0.333, 0.5, 0.5, 0.278, 0.278, 0.5, 0.278, 0.778, 0.5,
  0.5, 0.5, 0.5, 0.333, 0.389, 0.278, 0.5, 0.5, 0.722, 0.5, 0.5, 0.444, 0.48, 0.2, 0.48, 0.541}
local BOLD_EM = {0.25, 0.333, 0.555, 0.5, 0.5, 1.0, 0.833, 0.278, 0.333, 0.333, 0.5, 0.57, 0.25, 0.333, 0.25,
  0.278, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.333, 0.333, 0.57, 0.57, 0.57, 0.5, 0.93, 0.722,
  0.667, 0.722, 0.722, 0.667, 0.611, 0.778, 0.778, 0.389, 0.5, 0.778, 0.667, 0.944, 0.722, 0.778, 0.611,
  0.778, 0.722, 0.556, 0.667, 0.722, 0.722, 1.0, 0.722, 0.722, 0.667, 0.333, 0.278, 0.333, 0.581, 0.5,
  0.333, 0.5, 0.556, 0.444, 0.556, 0.444, 0.333, 0.5, 0.556, 0.278, 0.333, 0.556, 0.278, 0.833, 0.556, 0.5,
  0.556, 0.556, 0.444, 0.389, 0.333, 0.556, 0.5, 0.722, 0.5, 0.5, 0.444, 0.394, 0.22, 0.394, 0.52}
-- Quotes and dashes as the font has them; other characters count as 0.75 em (accented Latin letters
-- are 0.28-0.78 em; a wide letter of another script is rare in an Indonesian or English table).
local BOLD_EM = {0.25, 0.333, 0.555, 0.5, 0.5, 1.0, 0.833, 0.278, 0.333, 0.333, 0.5, 0.57, 0.25, 0.333, 0.25,
  0.278, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.333, 0.333, 0.57, 0.57, 0.57, 0.5, 0.93, 0.722,
  0.667, 0.722, 0.722, 0.667, 0.611, 0.778, 0.778, 0.389, 0.5, 0.778, 0.667, 0.944, 0.722, 0.778, 0.611,
  0.778, 0.722, 0.556, 0.667, 0.722, 0.722, 1.0, 0.722, 0.722, 0.667, 0.333, 0.278, 0.333, 0.581, 0.5,
  0.333, 0.5, 0.556, 0.444, 0.556, 0.444, 0.333, 0.5, 0.556, 0.278, 0.333, 0.556, 0.278, 0.833, 0.556, 0.5,
  0.556, 0.556, 0.444, 0.389, 0.333, 0.556, 0.5, 0.722, 0.5, 0.5, 0.444, 0.394, 0.22, 0.394, 0.52}
-- A cell's inset on each side (typst's table inset, the DOCX's cell margins), in points, and room
-- for rounding.
local INSET_PT, SLACK_EM = 5, 0.2
local OTHER_EM = {[0x201C] = 0.5, [0x201D] = 0.5, [0x2018] = 0.333, [0x2019] = 0.333, [0x2013] = 0.5,
  [0x2014] = 1.0, [0x2026] = 1.0}
local size_pt = nil

local function word_em(word, widths)
  local em = 0
  for _, code in utf8.codes(word) do
    em = em + (code >= 32 and code <= 126 and widths[code - 31] or OTHER_EM[code] or 0.75)
  end
  return em
end

local function longest_word_em(cell)
  local bold = false
  pandoc.Blocks(cell.contents):walk({Strong = function() bold = true end})
  local longest = 0
  for word in pandoc.utils.stringify(cell.contents):gmatch("%S+") do
    longest = math.max(longest, word_em(word, bold and BOLD_EM or REGULAR_EM))
  end
  return longest
end

-- A table whose columns have relative widths (pandoc gives them to a pipe table with a row longer
-- than 72 characters, from the dashes under its header): a column narrower than its longest word
-- plus the cell's insets is widened to that, the columns wider than their own need giving up the
-- difference in proportion. typst would let the word run over the cell's edge, Word would break it
-- inside ("N/o"). When the words cannot all fit (a long number or code in a cell), the columns with
-- the shortest words are served first, as far as the others can give; a table with a cell that
-- spans columns is left as it is.
local function Table(tbl)
  if not (max_w and size_pt) then return nil end
  local n = #tbl.colspecs
  local widths = {}
  for j, spec in ipairs(tbl.colspecs) do
    if type(spec[2]) ~= "number" then return nil end
    widths[j] = spec[2]
  end
  local need = {}
  for j = 1, n do need[j] = 0 end
  local function visit(rows)
    for _, row in ipairs(rows) do
      local j = 1
      for _, cell in ipairs(row.cells) do
        if cell.col_span ~= 1 then return false end
        if j <= n then need[j] = math.max(need[j], longest_word_em(cell)) end
        j = j + 1
      end
    end
    return true
  end
  local ok = visit(tbl.head.rows) and visit(tbl.foot.rows)
  for _, body in ipairs(tbl.bodies) do ok = ok and visit(body.head) and visit(body.body) end
  if not ok then return nil end
  local block_em = max_w / 2.54 * 72 / size_pt
  local total, short = 0, {}
  for j = 1, n do
    need[j] = (need[j] + SLACK_EM + 2 * INSET_PT / size_pt) / block_em
    total = total + need[j]
    if widths[j] < need[j] then short[j] = true end
  end
  if next(short) == nil then return nil end
  -- Served: every short column when all the words fit; else those whose word needs no more than
  -- a fair share of the block (a "No", a "Status"). The others give first what they have beyond
  -- their own longest word, then, when that is not enough, in proportion to what is left them (their
  -- long words break somewhere whatever they are given).
  local served, deficit, spare, kept = {}, 0, 0, 0
  for j = 1, n do
    if short[j] and (total <= 1 or need[j] <= 1 / n) then
      served[j] = true
      deficit = deficit + need[j] - widths[j]
    elseif not short[j] then
      spare = spare + widths[j] - need[j]
      kept = kept + need[j]
    end
  end
  if deficit <= 0 or spare + kept <= deficit then return nil end
  for j = 1, n do
    local width = widths[j]
    if served[j] then
      width = need[j]
    elseif not short[j] then
      if spare >= deficit then width = widths[j] - (widths[j] - need[j]) / spare * deficit
      else width = need[j] - need[j] / kept * (deficit - spare) end
    end
    tbl.colspecs[j] = {tbl.colspecs[j][1], width}
  end
  return tbl
end

return {
  {Meta = function(meta)
    max_w = meta_number(meta, "thesisbuild-image-max-width-cm")
    max_h = meta_number(meta, "thesisbuild-image-max-height-cm")
    size_pt = meta_number(meta, "thesisbuild-font-size-pt")
  end},
  {Image = Image, Table = Table},
}
