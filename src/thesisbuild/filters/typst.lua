-- typst resolves image paths from the .typ file in build/; a leading "/" means the project root,
-- which is where the chapters' relative paths start.
-- pandoc writes a path with spaces as "images/Struktur%20Organisasi.png"; typst reads files by name.
function Image(el)
  if not el.src:match("^%a[%w+.-]*:") then
    el.src = el.src:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end)
    if el.src:sub(1, 1) ~= "/" then el.src = "/" .. el.src end
  end
  return el
end

-- Content meant for the DOCX only (the cover logo, which typst draws itself).
function Div(el)
  if el.classes:includes("docx-only") then
    return {}
  end
end
