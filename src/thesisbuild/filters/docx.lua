-- DOCX-only adjustments to pandoc's AST. thesisbuild passes the template's heading
-- layout as metadata; the numbers are written as text, so every editor (Word, LibreOffice,
-- Google Docs) shows the same "BAB I" and "1.1" as the PDF.
--   thesisbuild-chapter-label      "BAB"
--   thesisbuild-chapter-numbering  "upper-roman" | "decimal" | ...
--   thesisbuild-chapter-layout     "two-line" (BAB I, then the title) | "one-line" (I. TITLE)
--   thesisbuild-chapter-separator  ". " for the one-line layout
--   thesisbuild-max-level          deepest numbered level (4: 1.1.1.1)

local opts = {
  label = "BAB", numbering = "upper-roman", layout = "two-line", separator = ". ", max_level = 4,
}

local function meta_string(meta, key)
  if meta[key] ~= nil then return pandoc.utils.stringify(meta[key]) end
end

function Meta(meta)
  opts.label = meta_string(meta, "thesisbuild-chapter-label") or opts.label
  opts.numbering = meta_string(meta, "thesisbuild-chapter-numbering") or opts.numbering
  opts.layout = meta_string(meta, "thesisbuild-chapter-layout") or opts.layout
  opts.separator = meta_string(meta, "thesisbuild-chapter-separator") or opts.separator
  opts.max_level = tonumber(meta_string(meta, "thesisbuild-max-level") or "") or opts.max_level
end

local function roman(n)
  local numerals = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
                    {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
  local out = ""
  for _, pair in ipairs(numerals) do
    while n >= pair[1] do out = out .. pair[2]; n = n - pair[1] end
  end
  return out
end

local function chapter_number(n)
  local style = opts.numbering
  if style == "upper-roman" then return roman(n) end
  if style == "lower-roman" then return roman(n):lower() end
  if style == "upper-alpha" then return string.char(64 + n) end
  if style == "lower-alpha" then return string.char(96 + n) end
  return tostring(n)
end

local counters = {}

function Header(el)
  if el.classes:includes("unnumbered") or el.level > opts.max_level then
    return nil
  end
  counters[el.level] = (counters[el.level] or 0) + 1
  for deeper = el.level + 1, 9 do counters[deeper] = 0 end

  local prefix
  if el.level == 1 then
    local number = chapter_number(counters[1])
    if opts.layout == "one-line" then
      prefix = {pandoc.Str(number .. opts.separator:gsub("%s+$", "")), pandoc.Space()}
    else
      prefix = {pandoc.Str(opts.label), pandoc.Space(), pandoc.Str(number), pandoc.LineBreak()}
    end
  else
    local parts = {}
    for level = 1, el.level do parts[#parts + 1] = tostring(counters[level] or 0) end
    prefix = {pandoc.Str(table.concat(parts, ".")), pandoc.Space()}
  end
  for i = #prefix, 1, -1 do el.content:insert(1, prefix[i]) end
  return el
end

return {{Meta = Meta}, {Header = Header}}
